{version: 'slogen/v1', service: 'hostile', team: 't', description: std.toString(importbin '/etc/hostname')}
