{version: 'slogen/v1', service: 'hostile', team: 't', description: nope}
