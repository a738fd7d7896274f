/**
 * The labs as the app's main process and the CLI use them: the catalogue, loading from disk, a lab session
 * (background checks, hints, quizzes, completion), the transcript export and grading. Renderer code imports only
 * the plain data types (`LabView`, `StepView`, `CheckResult`, `QuizView`, `QuizFeedback`, `LabListing`).
 */
export { LAB_MANIFESTS } from './catalog';
export { findLab, labsDir, loadAllLabs, loadFromDisk } from './node-loader';
export { listing, loadLab, validateLab } from './engine/load';
export { LabSession, type LabRuntime, type LabShell, type StartOptions } from './engine/session';
export { defaultRuntime, shellFor } from './engine/runtime';
export { gradeTranscript, formatReport, type GradeReport, type GradedStep } from './engine/grade';
export { toJUnitXml } from './engine/junit';
export { parseTranscriptFile, toTranscriptFile, TranscriptFormatError, type TranscriptFile, type TranscriptFileEntry } from './engine/transcript';
export type * from './engine/types';
