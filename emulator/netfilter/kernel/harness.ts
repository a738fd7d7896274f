export async function kernelConnectionRate(_services: number, _conns: number): Promise<{ perSecond: number } | { skipped: string }> {
  return { skipped: 'not implemented yet' };
}
