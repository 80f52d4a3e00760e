/** The CLI's way to show text to a person: see src/shared/printable.ts. Runtime: plain Node. */
export { printable, printableJson } from '../shared/printable';
