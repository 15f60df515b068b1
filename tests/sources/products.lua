-- tests/sources/products.lua — fills Redis with the products the Redis tests, examples and bench
-- read: EVAL this script with 0 keys and ARGV = first id, count. Each record is the JSON object of
-- one product at key product:<id>, written by the server's own cjson (so C and Python tests share
-- one generator). Values as in products.sql: names with commas, quotes, a line end every 7th
-- row (escaped in JSON) and non-ASCII text; note is null on every 5th row.
local first, count = tonumber(ARGV[1]), tonumber(ARGV[2])
local batch = {}
for id = first, first + count - 1 do
    local name
    if id % 7 == 0 then name = 'Widget "' .. id .. '", large\nsecond line'
    elseif id % 3 == 0 then name = 'Gadget ' .. id .. ', blue'
    else name = 'Caf\195\169 ' .. id end
    local note = cjson.null
    if id % 5 ~= 0 then note = 'note ' .. id end
    batch[#batch + 1] = 'product:' .. id
    batch[#batch + 1] = cjson.encode({id = id, name = name, price = (id % 1000) * 0.25 + 0.5,
                                      in_stock = (id % 2 == 0), qty = (id * 37) % 1000, note = note})
    if #batch >= 2000 then redis.call('MSET', unpack(batch)); batch = {} end
end
if #batch > 0 then redis.call('MSET', unpack(batch)) end
return count
