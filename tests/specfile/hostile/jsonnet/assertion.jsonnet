local x = 1;
assert x == 2 : 'x must be 2';
{version: 'slogen/v1', service: 'hostile', team: 't', }
