/** The screens, as data: navigation and routing are both built from this table. Runtime: renderer. */
import type { ComponentType, ReactNode } from 'react';

function Placeholder({ children }: { children: ReactNode }): ReactNode {
  return <p className="placeholder">{children}</p>;
}

export const screens = [
  { id: 'sessions', title: 'Sessions', component: () => <Placeholder>Agent runs and their live terminals appear here.</Placeholder> },
  { id: 'approvals', title: 'Approvals', component: () => <Placeholder>Operations waiting for your decision appear here.</Placeholder> },
  { id: 'permissions', title: 'Permissions', component: () => <Placeholder>The file permission cascade of a workspace appears here.</Placeholder> },
  { id: 'timeline', title: 'Timeline', component: () => <Placeholder>Receipts of every run appear here.</Placeholder> },
  { id: 'evidence', title: 'Evidence', component: () => <Placeholder>Signed evidence exports appear here.</Placeholder> },
  { id: 'settings', title: 'Settings', component: () => <Placeholder>Policy, rules, keys and organization settings appear here.</Placeholder> },
] as const satisfies readonly { id: string; title: string; component: ComponentType }[];

export type ScreenId = (typeof screens)[number]['id'];
