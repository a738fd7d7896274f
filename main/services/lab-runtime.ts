/**
 * The labs engine's runtime for the app (a shell and a cluster view over a world the terminal already owns). Its
 * own module so the composition root can load it lazily, with the emulator, after the web shell listens.
 */
export { defaultRuntime as labRuntime } from '../../labs/engine/runtime';
