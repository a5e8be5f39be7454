{version: 'slogen/v1', service: 'hostile', team: 't', 
  runbook: 'https://bot:S3CR3Tjsonnet@runbooks.example.com/x',
}
