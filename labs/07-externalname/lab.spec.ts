import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'a ClusterIP Service instead of an ExternalName',
    commands: ['kubectl create service clusterip {{svc}} --tcp=80:80'],
    failsCheck: 'externalname',
    message: /of type ClusterIP, not ExternalName/,
  },
});
