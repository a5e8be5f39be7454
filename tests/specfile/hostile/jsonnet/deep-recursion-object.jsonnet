local o = {a: o.b, b: o.a};
{version: 'slogen/v1', service: 'hostile', team: 't', description: o.a}
