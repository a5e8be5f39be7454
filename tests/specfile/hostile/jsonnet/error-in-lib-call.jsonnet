local slogen = import 'slogen.libsonnet';
slogen.service('hostile', 't', {slos: [slogen.slo.http()]})
