{version: 'slogen/v1', service: 'hostile', team: 't', 
  health_checks: [{name: 'hc', database: 'main', sql: 'DELETE FROM sessions'}],
}
