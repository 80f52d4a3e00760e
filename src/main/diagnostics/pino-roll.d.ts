/** pino-roll ships no types: the part of its API NOME uses (see its README). */
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface RollOptions {
    file: string | (() => string);
    size?: number | string;
    frequency?: number | string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
  }
  interface RollStream extends DestinationStream {
    end(): void;
    once(event: 'close' | 'ready', listener: () => void): this;
  }
  export default function roll(options: RollOptions): Promise<RollStream>;
}
