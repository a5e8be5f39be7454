{version: 'slogen/v1', service: 'hostile', team: 't', 
  labels: {tier: 'one\ntwo'},
}
