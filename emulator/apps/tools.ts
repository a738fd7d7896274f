/** Tool images: busybox and curlimages/curl (what learners `kubectl run` to look around from inside the cluster). */
import type { AppImage } from './types';

/** The busybox applets a learner reaches for. */
export const BUSYBOX_COMMANDS = [
  'sh', 'ash', 'cat', 'ls', 'echo', 'env', 'printenv', 'hostname', 'nslookup', 'wget', 'ping', 'traceroute', 'ip', 'ifconfig', 'route',
  'netstat', 'nc', 'telnet', 'ps', 'top', 'sleep', 'date', 'uname', 'id', 'whoami', 'pwd', 'mkdir', 'rm', 'cp', 'mv', 'grep', 'head', 'tail',
  'touch', 'wc', 'sed', 'awk', 'sort', 'uniq', 'cut', 'tr', 'true', 'false', 'test', 'kill', 'arp', 'vi', 'which', 'df', 'du', 'free', 'uptime',
];

/** `sh` with no TTY exits at once; `sleep`, `tail -f`, a `while` loop or `httpd -f` keep the container up. */
function runsForever(argv: readonly string[]): boolean {
  const line = argv.join(' ');
  if (argv.length === 0) return false;
  return /\bsleep\b|tail\s+-f|while\s|httpd|nc\s+-l|\bsh\s+-c\s+.*\bwait\b/.test(line);
}

export const busybox: AppImage = {
  repository: 'busybox',
  tags: '*',
  description: 'BusyBox: sh, nslookup, wget, ping, ip, nc …',
  ports: [],
  commands: BUSYBOX_COMMANDS,
  shell: 'busybox',
  entrypoint: [],
  cmd: ['sh'],
  sizeBytes: 2_166_802,
  pullMs: 900,
  stopsOnSigterm: false,
  longRunning: runsForever,
  startupLogs: () => [],
};

const CURL_NO_URL: readonly string[] = Object.freeze(["curl: try 'curl --help' or 'curl --manual' for more information"]);

function withoutEntrypoint(argv: readonly string[]): readonly string[] {
  return argv[0] === '/entrypoint.sh' ? argv.slice(1) : argv;
}

function isBareCurl(argv: readonly string[]): boolean {
  const a = withoutEntrypoint(argv);
  return a.length === 1 && a[0] === 'curl';
}

export const curl: AppImage = {
  repository: 'curlimages/curl',
  tags: '*',
  description: 'curl on Alpine (busybox sh included)',
  ports: [],
  commands: ['curl', ...BUSYBOX_COMMANDS],
  shell: 'busybox',
  entrypoint: ['/entrypoint.sh'],
  cmd: ['curl'],
  sizeBytes: 11_392_044,
  pullMs: 1100,
  stopsOnSigterm: false,
  longRunning: (argv) => runsForever(withoutEntrypoint(argv)),
  // The image's default command is a bare `curl`: no URL, so curl prints its hint and exits 2 (CURLE_FAILED_INIT),
  // and the pod shows Error, then CrashLoopBackOff — what `kubectl run c --image=curlimages/curl` does for real.
  exitCode: (argv) => (isBareCurl(argv) ? 2 : 0),
  startupLogs: (ctx) => (isBareCurl(ctx.argv) ? CURL_NO_URL : []),
};
