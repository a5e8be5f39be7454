{version: 'slogen/v1', service: 'hostile', team: 't', 
  colour: 'red',
}
