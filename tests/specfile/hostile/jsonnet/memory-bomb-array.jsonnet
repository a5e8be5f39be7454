local big = std.makeArray(200000000, function(i) [i, i]);
{version: 'slogen/v1', service: 'hostile', team: 't', description: std.toString(std.length(big))}
