/** Request counters for /metrics, keyed by route pattern and status so the label set stays bounded. */
export class RequestMetrics {
  private readonly counts = new Map<string, number>();

  record(method: string, route: string, status: number): void {
    const key = `${method}\u0000${route}\u0000${status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  entries(): Array<{ method: string; route: string; status: number; count: number }> {
    return [...this.counts].map(([key, count]) => {
      const [method, route, status] = key.split('\u0000') as [string, string, string];
      return { method, route, status: Number(status), count };
    });
  }
}
