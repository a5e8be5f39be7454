local s(n) = if n == 0 then 'x' else s(n - 1) + s(n - 1);
{version: 'slogen/v1', service: 'hostile', team: 't', description: s(60)}
