{
  version: 'slogen/v1'
  service: 'x',
}
