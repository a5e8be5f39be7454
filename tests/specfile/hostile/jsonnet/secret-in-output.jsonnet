{version: 'slogen/v1', service: 'hostile', team: 't', 
  description: 'db at postgresql://admin:' + 'hunter2jsonnet' + '@db.example.com/x',
}
