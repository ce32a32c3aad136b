import { closeSync, openSync, writeSync } from 'node:fs';
import { mulberry32 } from './statistics';

export interface SyntheticShape {
  sites: number;
  alerts: number;
  instancesPerAlert: number;
  seed: number;
}

/**
 * Writes a deterministic synthetic ZAP traditional-JSON report (fixed seed) to `path`, an
 * alert at a time (a million instances make a ~200 MB file): `alerts` alerts over `sites`
 * sites, `instancesPerAlert` instances each, two instances per location (so a finding has
 * several instances, as in real scans), every number a string as ZAP writes it. `variant`
 * moves 5 % of the alerts to other paths: the same report a week later, with 5 % of the
 * findings fixed and 5 % new.
 */
export function writeSyntheticZapReport(path: string, options: SyntheticShape & { variant: boolean }): void {
  const random = mulberry32(options.seed);
  const alertsPerSite = Math.ceil(options.alerts / options.sites);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `{"@programName":"ZAP","@version":"2.16.0","@generated":"Mon, 23 Nov 2026 03:00:00","site":[`);
    for (let s = 0; s < options.sites; s++) {
      const host = `app${s}.bench.test`;
      writeSync(fd, `${s > 0 ? ',' : ''}{"@name":"https://${host}","@host":"${host}","@port":"443","@ssl":"true","alerts":[`);
      for (let a = 0; a < alertsPerSite; a++) {
        const id = s * alertsPerSite + a;
        const moved = options.variant && id % 20 === 0;
        const pluginid = String(10000 + (id % 400));
        const instances = Array.from({ length: options.instancesPerAlert }, (_, i) => {
          const location = Math.floor(i / 2);
          return {
            uri: `https://${host}/${moved ? 'moved' : 'area'}${id}/page${location}?q=${Math.floor(random() * 1e6)}`,
            method: i % 3 === 0 ? 'POST' : 'GET',
            param: `field${location % 4}`,
            attack: `<script>alert(${Math.floor(random() * 1e9)})</script>`,
            evidence: `evidence ${Math.floor(random() * 1e9)}`,
            otherinfo: '',
          };
        });
        const alert = {
          pluginid, alertRef: pluginid, alert: `Synthetic alert ${pluginid}`, name: `Synthetic alert ${pluginid}`,
          riskcode: String(id % 4), confidence: String(1 + (id % 3)), riskdesc: 'Medium (Medium)',
          desc: '<p>A synthetic weakness for the findings-pipeline benchmark.</p>', instances, count: String(instances.length),
          solution: '<p>Fix it.</p>', otherinfo: '', reference: '<p>https://owasp.org/</p>', cweid: String(79 + (id % 10)), wascid: '8', sourceid: '1',
        };
        writeSync(fd, `${a > 0 ? ',' : ''}${JSON.stringify(alert)}`);
      }
      writeSync(fd, ']}');
    }
    writeSync(fd, ']}');
  } finally {
    closeSync(fd);
  }
}
