/** Progress on stderr: a bar with rate and ETA on a terminal, only a final line otherwise. */
import { SingleBar } from 'cli-progress';

export class Progress {
  private readonly bar?: SingleBar;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    total: number,
    private readonly unit: string,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    if (!stream.isTTY) return;
    this.bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {done} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    });
    this.bar.start(total, 0, { done: 0, rate: 0 });
  }

  /** `value` counts towards `total` (bytes, families …); `done` is what the user reads. */
  update(value: number, done: number): void {
    this.bar?.update(value, { done, rate: Math.round(done / this.seconds()) });
  }

  finish(done: number, summary = ''): void {
    this.bar?.stop();
    const s = this.seconds();
    process.stderr.write(
      `${this.label}: ${done} ${this.unit} in ${s.toFixed(1)} s (${Math.round(done / s)} ${this.unit}/s)${summary ? `; ${summary}` : ''}\n`,
    );
  }

  private seconds(): number {
    return Math.max((Date.now() - this.started) / 1000, 0.001);
  }
}
