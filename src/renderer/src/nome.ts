/** The renderer's handle on the main process, provided by <App>. Runtime: renderer. */
import { createContext, useContext } from 'react';
import type { NomeApi } from '../../shared/contract';

export const ApiContext = createContext<NomeApi | null>(null);

export function useNome(): NomeApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useNome outside <App>');
  return api;
}
