/** Light and dark: the page's CSS variables switch on `data-theme`, the terminal gets the matching palette. */
import type { ITheme } from '@xterm/xterm';
import type { ThemeSetting } from '../../../main/contract';

export type ResolvedTheme = 'light' | 'dark';

export function resolveTheme(setting: ThemeSetting, prefersDark: boolean): ResolvedTheme {
  return setting === 'system' ? (prefersDark ? 'dark' : 'light') : setting;
}

/** The order the theme button cycles through. */
export function nextTheme(setting: ThemeSetting): ThemeSetting {
  return setting === 'system' ? 'light' : setting === 'light' ? 'dark' : 'system';
}

export const TERMINAL_THEMES: Record<ResolvedTheme, ITheme> = {
  dark: {
    background: '#0f1419',
    foreground: '#d8dee9',
    cursor: '#f0c674',
    selectionBackground: '#3b4a5a',
    black: '#1d2430',
    red: '#f07178',
    green: '#a6cc70',
    yellow: '#ffcc66',
    blue: '#73b8ff',
    magenta: '#d4bfff',
    cyan: '#95e6cb',
    white: '#d8dee9',
  },
  light: {
    background: '#fbfbf8',
    foreground: '#1f2328',
    cursor: '#0a58ca',
    selectionBackground: '#b6d4fe',
    black: '#1f2328',
    red: '#b3261e',
    green: '#1a7f37',
    yellow: '#7d5a00',
    blue: '#0a58ca',
    magenta: '#8250df',
    cyan: '#0e7490',
    white: '#6e7781',
  },
};
