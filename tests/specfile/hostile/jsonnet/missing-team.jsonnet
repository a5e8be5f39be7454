{
  version: 'slogen/v1',
  service: 'hostile',
}
