// Helpers for writing slogen specs in Jsonnet. Spec files in slos/ import them with
//   local slogen = import 'slogen.libsonnet';
// (slos/lib/ is on the library path). Every helper returns plain spec objects, so a result can
// be extended with `+ { ... }` and the output is validated exactly like a YAML spec.
local optional(key, value) = if value == null then {} else { [key]: value };

{
  version:: 'slogen/v1',

  // A service file. `rest` holds the other top-level keys (slos, alerts, dashboard...).
  service(name, team, rest={}):: { version: $.version, service: name, team: team } + rest,

  slo:: {
    // Event ratio: give `bad` or `good` beside `total`; queries use [{{window}}] as the range.
    events(name, objective, total, bad=null, good=null, window='30d'):: {
      name: name,
      objective: objective,
      window: window,
      sli: { events: { total: total } + optional('bad', bad) + optional('good', good) },
    },

    // Requests faster than `below` (a duration such as '200ms'), from a histogram.
    latency(name, objective, histogram, selector, below, window='30d'):: {
      name: name,
      objective: objective,
      window: window,
      sli: { latency: { histogram: histogram, selector: selector, below: below } },
    },

    // Share of time `up` is 1 for the selected targets.
    availability(name, objective, selector, window='30d'):: {
      name: name,
      objective: objective,
      window: window,
      sli: { availability: { selector: selector } },
    },

    // The usual request SLO: share of requests of `job` without a 5xx code.
    http(name, objective, job, metric='http_requests_total', window='30d')::
      self.events(
        name, objective, window=window,
        bad='sum(rate(%s{job="%s",code=~"5.."}[{{window}}]))' % [metric, job],
        total='sum(rate(%s{job="%s"}[{{window}}]))' % [metric, job],
      ),
  },

  alert:: {
    // Fires while `expr` is above or below a threshold for `for`.
    threshold(name, expr, above=null, below=null, forDuration='0s', severity='warning')::
      { name: name, expr: expr, 'for': forDuration, severity: severity }
      + optional('above', above) + optional('below', below),

    // One declaration, one threshold per severity: tiers({warning: {below: 80}, ...}).
    tiers(name, expr, tiers, forDuration='0s'):: {
      name: name, expr: expr, tiers: tiers, 'for': forDuration,
    },

    // Fires when the selector has had no data for `for`.
    absent(name, selector, forDuration='10m', severity='critical'):: {
      name: name, absent: selector, 'for': forDuration, severity: severity,
    },
  },
}
