{version: 'slogen/v1', service: 'hostile', team: 't', 
  slos: [{name: 'a', objective: 99, window: '30 days', sli: {availability: {selector: '{}'}}}],
}
