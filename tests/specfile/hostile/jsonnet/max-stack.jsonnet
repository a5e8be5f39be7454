local f(n) = 1 + f(n + 1);
{version: 'slogen/v1', service: 'hostile', team: 't', tier: f(0)}
