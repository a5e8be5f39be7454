{version: 'slogen/v1', service: 'hostile', team: 't', slos: std.range(1, 45000)}
