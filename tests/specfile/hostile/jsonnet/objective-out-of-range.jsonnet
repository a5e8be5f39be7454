{version: 'slogen/v1', service: 'hostile', team: 't', 
  slos: [{
    name: 'a',
    objective: 120,
    sli: {availability: {selector: '{job="x"}'}},
  }],
}
