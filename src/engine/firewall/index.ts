// The firewall core's public surface: what the engine, the CLI and the hook use.
export { parsePolicyText, readPolicyOffline, defaultPolicyPath, rulesFor, sha256, PolicyError, type Policy, type LoadedPolicy, type PolicyIssue, type RuleSet } from './policyLoader.js';
export { PolicyFileSchema, parseDuration, POLICY_MODES, type PolicyFile, type PolicyMode, type ToolRule, type PolicyTest } from './policySchema.js';
export { DEFAULT_POLICY_TEXT } from './defaultPolicy.js';
export { evaluateCommand, evaluateTool, describeToolRule, judgeCommand, missVerdict, setAnalysisCacheSize, type EvaluateOptions, type CommandJudgement } from './evaluate.js';
export { alwaysRuleFor, alwaysRulesFor, alwaysToolRule, type ToolAlwaysRule } from './alwaysRule.js';
export { addAllowRule, addToolRule, type AddRuleOptions } from './policyEdit.js';
export { runPolicyTests, describeMismatch, type PolicyTestResult } from './policyTests.js';
export { formatExplain } from './explain.js';
export { parseShell, type ParsedShell, type ShellSegment } from './shellParser.js';
