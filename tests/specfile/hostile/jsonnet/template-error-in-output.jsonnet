{version: 'slogen/v1', service: 'hostile', team: 't', 
  alerts: [{name: 'A', expr: 'up', below: 1, summary: '{{ $labels.x '}],
}
