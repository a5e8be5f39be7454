local x = import 'nope.libsonnet';
{version: 'slogen/v1', service: 'hostile', team: 't', description: x}
