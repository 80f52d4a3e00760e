/** The screens, as data: navigation and routing are both built from this table. Runtime: renderer. */
import type { ComponentType, ReactNode } from 'react';
import { ApprovalsScreen } from '../approvals';
import { PermissionsScreen } from '../permissions';
import { SessionsScreen } from '../sessions';
import { TimelineScreen } from '../timeline';

function Placeholder({ children }: { children: ReactNode }): ReactNode {
  return <p className="placeholder">{children}</p>;
}

export const screens = [
  { id: 'sessions', title: 'Sessions', component: SessionsScreen },
  { id: 'approvals', title: 'Approvals', component: ApprovalsScreen },
  { id: 'permissions', title: 'Permissions', component: PermissionsScreen },
  { id: 'timeline', title: 'Timeline', component: TimelineScreen },
  { id: 'evidence', title: 'Evidence', component: () => <Placeholder>Signed evidence exports appear here.</Placeholder> },
  { id: 'settings', title: 'Settings', component: () => <Placeholder>Policy, rules, keys and organization settings appear here.</Placeholder> },
] as const satisfies readonly { id: string; title: string; component: ComponentType }[];

export type ScreenId = (typeof screens)[number]['id'];
