/** Every `svclab` subcommand, in the order `svclab --help` lists them. Add new ones (grade, labs) here. */
import type { CliCommand } from '../cli-command';
import { grade } from './grade';
import { labs } from './labs';
import { run } from './run';
import { shell } from './shell';

export const COMMANDS: readonly CliCommand[] = [run, shell, labs, grade];
