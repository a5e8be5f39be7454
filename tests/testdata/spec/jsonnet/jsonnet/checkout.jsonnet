// The Jsonnet twin of ../yaml/checkout.yaml: both must build the same model.
local slogen = import 'slogen.libsonnet';
local endpoints = ['pay', 'refund'];

slogen.service('checkout', 'payments', {
  runbook: 'https://runbooks.example.com/checkout',
  slos: [
    slogen.slo.http('%s-availability' % e, 99.9, 'checkout-%s' % e)
    for e in endpoints
  ] + [
    slogen.slo.latency('latency', 99, 'http_request_duration_seconds',
                       '{job="checkout-pay"}', '200ms', window='28d'),
    slogen.slo.availability('uptime', 99.5, '{job="checkout-pay"}'),
  ],
  alerts: [
    slogen.alert.threshold('HighMemoryUsage',
                           '100 * process_resident_memory_bytes / machine_memory_bytes',
                           above=80, forDuration='10m'),
    slogen.alert.tiers('CoverageLow', 'test_coverage_percent',
                       { warning: { below: 80 }, critical: { below: 50 } }),
    slogen.alert.absent('CheckoutMetricsMissing', 'up{job="checkout-pay"}'),
  ],
})
