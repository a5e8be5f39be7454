local loop(n, acc) = if n == 0 then acc else loop(n - 1, acc + 1) tailstrict;
{version: 'slogen/v1', service: 'hostile', team: 't', tier: loop(1000000000000, 0)}
