local d(s, n) = if n == 0 then s else d(s + s, n - 1);
{version: 'slogen/v1', service: 'hostile', team: 't', description: d('abcdefgh', 20)}
