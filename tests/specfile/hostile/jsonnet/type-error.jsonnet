{version: 'slogen/v1', service: 'hostile', team: 't', tier: 1 + 'a'}
