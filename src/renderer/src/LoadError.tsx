/**
 * What the renderer shows when a list or subscription the main process should answer fails: the
 * person sees that something is missing and why, instead of an empty screen that looks like "nothing".
 *
 * Runtime: renderer.
 */
import type { ReactNode } from 'react';
import { printable } from '../../shared/printable';

export const errorText = (error: unknown) => printable(error instanceof Error ? error.message : String(error));

export function LoadError({ what, error }: { what: string; error: string | null }): ReactNode {
  if (error === null) return null;
  return (
    <p role="alert" className="load-error">
      NOME could not load {what}: {error}
    </p>
  );
}
