// The firewall core's public surface: what the engine, the CLI and the hook use.
export { parsePolicyText, readPolicyOffline, defaultPolicyPath, rulesFor, sha256, PolicyError, type Policy, type LoadedPolicy, type PolicyIssue, type RuleSet } from './policyLoader.js';
export { PolicyFileSchema, parseDuration, POLICY_MODES, type PolicyFile, type PolicyMode, type ToolRule, type PolicyTest, type PathRule, type FetchRules, type OutputsPolicy } from './policySchema.js';
export { DEFAULT_POLICY_TEXT } from './defaultPolicy.js';
// evaluateCommand and evaluateTool are the path-aware deciders (decideActions.ts): a caller cannot pick one
// that skips the path rules. The pattern-only judgements stay inside the firewall.
export { describeToolRule, judgeCommand, missVerdict, setAnalysisCacheSize, type EvaluateOptions, type CommandJudgement } from './evaluate.js';
export { alwaysRuleFor, alwaysRulesFor, alwaysToolRule, type ToolAlwaysRule } from './alwaysRule.js';
export { addAllowRule, addToolRule, type AddRuleOptions } from './policyEdit.js';
export { runPolicyTests, describeMismatch, type PolicyTestResult } from './policyTests.js';
export { formatExplain } from './explain.js';
export { parseShell, type ParsedShell, type ShellSegment } from './shellParser.js';
export { evaluateAction, evaluateActions, evaluateExec, evaluateMcp, evaluateExec as evaluateCommand, evaluateMcp as evaluateTool, type ActionOptions } from './decideActions.js';
export { NATIVE_SERVER, claudeCodeActions, geminiActions, describeAction, mcpPathActions, parseMcpToolName, NativeActionSchema, ACTION_KINDS, type Action, type ActionKind, type NativeAction, type MappedCall } from './actions.js';
export { clineActions, codexActions, cursorActions, copilotActions, windsurfActions, patchActions } from './hostTools.js';
export { protectPlaces, defaultPathContext, defaultProtectedRoots, judgePath, normalisePath, type PathContext, type PathAccess } from './pathRules.js';
export { programPathsOf, type PathsOfCommand, type TouchedPaths } from './commandPaths.js';
export { judgeFetch, isInternalAddress } from './fetchRules.js';
export { PROFILES, PROFILE_NAMES, profileText, type ProfileName } from './profiles/index.js';
