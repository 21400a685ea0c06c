// Provider secret rules. Each has literal keywords (lower case) checked before its RE2 pattern runs,
// and the capture group 1 is the secret itself. `live: false` marks test-mode credentials.
export interface SecretRule {
  id: string;
  provider: string;
  keywords: string[];
  pattern: string;
  /** Minimum Shannon entropy (bits/char) of the captured value; placeholders fall below it. */
  minEntropy?: number;
  /** A test-mode key (sk_test_…): still reported, at a lower severity. */
  testWhen?: string;
  /**
   * The looser shape of this provider's tokens (anchored, RE2). A value of this shape that the
   * rule itself rejected is a malformed token of that provider, so the generic rules skip it too.
   */
  shape?: string;
}

export const SECRET_RULES: SecretRule[] = [
  { id: 'private-key', provider: 'private key', keywords: ['private key'], pattern: `(?s)(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY( BLOCK)?-----.{32,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY( BLOCK)?-----)` },
  { id: 'github-token', provider: 'GitHub', keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], pattern: `\\b(gh[pousr]_[A-Za-z0-9]{36,255})\\b`, minEntropy: 3 },
  { id: 'github-fine-grained-pat', provider: 'GitHub', keywords: ['github_pat_'], pattern: `\\b(github_pat_[A-Za-z0-9_]{22,255})\\b`, minEntropy: 3 },
  { id: 'gitlab-token', provider: 'GitLab', keywords: ['glpat-', 'gldt-', 'glptt-', 'glrt-', 'glft-', 'glimt-', 'glagent-', 'gloas-', 'glcbt-', 'glsoat-', 'glffct-'], pattern: `\\b(gl(?:pat|dt|ptt|rt|ft|imt|agent|oas|cbt|soat|ffct)-[A-Za-z0-9_\\-]{20,})`, minEntropy: 3 },
  { id: 'aws-access-key-id', provider: 'AWS', keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'], pattern: `\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b`, minEntropy: 3 },
  { id: 'anthropic-api-key', provider: 'Anthropic', keywords: ['sk-ant-'], pattern: `\\b(sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_\\-]{93}AA)\\b` },
  { id: 'openai-api-key', provider: 'OpenAI', keywords: ['t3blbkfj'], pattern: `\\b(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\\-]{20,74}T3BlbkFJ[A-Za-z0-9_\\-]{20,74})\\b`, minEntropy: 3 },
  { id: 'slack-token', provider: 'Slack', keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxo-', 'xoxr-', 'xoxs-', 'xoxe', 'xapp-'], pattern: `\\b(xox[baprso]-(?:\\d{1,14}-){0,3}\\d{8,14}-(?:\\d{1,14}-){0,3}[A-Za-z0-9]{8,}(?:[^A-Za-z0-9\\-#*]|$)|xoxe(?:\\.xox[bp])?-\\d-[A-Za-z0-9]{60,}|(?i:xapp)-\\d-[A-Za-z0-9]{6,}-\\d{6,}-[A-Za-z0-9]{20,})`, minEntropy: 2.5 },
  { id: 'slack-webhook', provider: 'Slack', keywords: ['hooks.slack.com'], pattern: `(https?://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\\-]{20,})` },
  { id: 'stripe-key', provider: 'Stripe', keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'sk_prod_', 'rk_prod_'], pattern: `\\b((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99})\\b`, testWhen: '_test_', minEntropy: 3 },
  { id: 'google-oauth-token', provider: 'Google', keywords: ['ya29.'], pattern: `\\b(ya29\\.[0-9A-Za-z_\\-]{20,})` },
  { id: 'jwt', provider: 'JWT', keywords: ['ey'], pattern: `\\b(ey[A-Za-z0-9]{15,}\\.ey[A-Za-z0-9/\\\\_\\-]{15,}\\.(?:[A-Za-z0-9/\\\\_\\-+]{10,}={0,2})?)`, minEntropy: 3 },
  { id: 'huggingface-token', provider: 'Hugging Face', keywords: ['hf_', 'api_org_'], pattern: `\\b((?:hf_|api_org_)[A-Za-z]{34})\\b`, minEntropy: 3 },
  { id: 'npm-token', provider: 'npm', keywords: ['npm_'], pattern: `\\b(npm_[A-Za-z0-9]{36})\\b`, minEntropy: 3 },
  { id: 'pypi-token', provider: 'PyPI', keywords: ['pypi-ageicHlwas5vcmc'.toLowerCase()], pattern: `\\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\\-]{50,})` },
  { id: 'shopify-token', provider: 'Shopify', keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'], pattern: `\\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\\b` },
  { id: 'databricks-token', provider: 'Databricks', keywords: ['dapi'], pattern: `\\b(dapi[a-f0-9]{32}(?:-\\d)?)\\b`, minEntropy: 3 },
  { id: 'sendgrid-key', provider: 'SendGrid', keywords: ['sg.'], pattern: `\\b(SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43})\\b` },
  { id: 'twilio-key', provider: 'Twilio', keywords: ['sk'], pattern: `\\b(SK[0-9a-fA-F]{32})\\b`, minEntropy: 3 },
  { id: 'mailgun-key', provider: 'Mailgun', keywords: ['key-', 'pubkey-'], pattern: `\\b((?:pub)?key-[0-9a-f]{32})\\b`, minEntropy: 3 },
  { id: 'doppler-token', provider: 'Doppler', keywords: ['dp.'], pattern: `\\b(dp\\.(?:pt|st|sa|scim|audit|ct)\\.[A-Za-z0-9]{40,44})\\b` },
  { id: 'planetscale-token', provider: 'PlanetScale', keywords: ['pscale_'], pattern: `\\b(pscale_(?:pw|tkn|oauth)_[A-Za-z0-9=\\-_.]{32,64})`, minEntropy: 3 },
  { id: 'sentry-token', provider: 'Sentry', keywords: ['sntrys_', 'sntryu_'], pattern: `\\b(sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/]{30,400}={0,2}_[A-Za-z0-9+/]{43})(?:[^A-Za-z0-9+/_]|$)` },
  { id: '1password-token', provider: '1Password', keywords: ['ops_ey', 'a3-'], pattern: `\\b(ops_eyJ[A-Za-z0-9+/]{100,}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})`, minEntropy: 3 },
  { id: 'shippo-token', provider: 'Shippo', keywords: ['shippo_'], pattern: `\\b(shippo_(?:live|test)_[a-fA-F0-9]{40})\\b`, testWhen: '_test_' },
  { id: 'flutterwave-key', provider: 'Flutterwave', keywords: ['flwseck', 'flwpubk'], pattern: `\\b(FLW(?:SECK|PUBK)(?:_TEST)?-[a-hA-H0-9]{32}-X)`, testWhen: '_TEST' },
  { id: 'grafana-token', provider: 'Grafana', keywords: ['glc_', 'glsa_', 'eyjrijoi'], pattern: `\\b(glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,2})`, minEntropy: 3 },
  { id: 'age-secret-key', provider: 'age', keywords: ['age-secret-key-1'], pattern: `(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})` },
  { id: 'terraform-token', provider: 'HashiCorp', keywords: ['atlasv1'], pattern: `\\b([A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9\\-_=]{60,70})` },
  { id: 'vault-token', provider: 'HashiCorp Vault', keywords: ['hvs.', 'hvb.'], pattern: `\\b(hv[sb]\\.[A-Za-z0-9_\\-]{24,})`, minEntropy: 3.2 },
  { id: 'linear-key', provider: 'Linear', keywords: ['lin_api_'], pattern: `\\b(lin_api_[A-Za-z0-9]{40})\\b` },
  { id: 'postman-key', provider: 'Postman', keywords: ['pmak-'], pattern: `\\b(PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34})\\b` },
  { id: 'digitalocean-token', provider: 'DigitalOcean', keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'], pattern: `\\b(do[opr]_v1_[a-f0-9]{64})\\b` },
  { id: 'telegram-bot-token', provider: 'Telegram', keywords: [':a'], pattern: `\\b(\\d{5,16}:A[A-Za-z0-9_\\-]{34})(?:[^A-Za-z0-9_\\-]|$)`, minEntropy: 3.5, shape: `^\\d+:A[A-Za-z0-9_\\-]+$` },
  { id: 'azure-storage-key', provider: 'Azure', keywords: ['accountkey='], pattern: `(?i:AccountKey)=([A-Za-z0-9+/]{86,88}==)` },
  { id: 'flyio-token', provider: 'Fly.io', keywords: ['fo1_', 'fm1', 'fm2_', 'flyv1'], pattern: `\\b(fo1_[A-Za-z0-9_\\-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})` , minEntropy: 3 },
  { id: 'dynatrace-token', provider: 'Dynatrace', keywords: ['dt0c01.'], pattern: `\\b(dt0c01\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64})\\b` },
  { id: 'azure-ad-client-secret', provider: 'Azure', keywords: ['q~'], pattern: `(?:^|[\\s'"\`>=(,])([A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.\\-]{31,34})(?:$|[\\s'"\`<),;])`, minEntropy: 3 },
  { id: 'square-token', provider: 'Square', keywords: ['sq0csp-', 'sq0atp-', 'eaaa'], pattern: `\\b(sq0csp-[^\\s"'\`]{43}|sq0atp-[^\\s"'\`]{22}|EAAA[A-Za-z0-9+=\\-]{60})`, minEntropy: 3 },
  { id: 'url-credentials', provider: 'URL credentials', keywords: ['://'], pattern: `\\b[a-z][a-z0-9+.\\-]{1,20}://([^\\s/:@'"{}$]{1,64}):([^\\s/@'"{}$]{6,128})@[A-Za-z0-9.\\-]+`, minEntropy: 2 },
];
