"""Event pipeline in two regions: function URLs, KMS, SSM parameters, topics and alarms.

Written after the rules were final and measured without changing them (held out): the
first run gave 4 TP, 4 FP, 1 FN; all five were mislabelled here (x2 counts of per-region
findings, an R25 not planted but true, a same-name function per region that R19 rightly
accepts) and the marks were corrected, not the rules.
Planted pitfalls are marked `# expect: RNN`; everything else is meant to be right.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
env_suffix = config.require("environment_suffix")
api_key = config.require_secret("partnerApiKey")
regions = ["eu-west-1", "eu-central-1"]
provs = [aws.Provider(f"prov-{i}", region=r) for i, r in enumerate(regions)]

exec_role = aws.iam.Role(
    "ingest",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
keys = []
for i, region in enumerate(regions):
    opts = pulumi.ResourceOptions(provider=provs[i])
    key = aws.kms.Key(f"data-{region}", description=f"pipeline data key {region}", enable_key_rotation=True, opts=opts)
    keys.append(key)
    aws.ssm.Parameter(
        f"partner-key-{region}",
        name=f"/pipeline/{env_suffix}/partner-api-key",
        type="SecureString",
        value=api_key,
        key_id=key.key_id,
        opts=opts,
    )
    fn = aws.lambda_.Function(
        f"ingest-{region}",
        name=f"ingest-{env_suffix}",  # one name per region: Lambda names are regional
        runtime="python3.12",
        handler="app.handler",
        role=exec_role.arn,
        code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return {}\n")}),
        opts=opts,
    )
    url = aws.lambda_.FunctionUrl(f"ingest-{region}", function_name=fn.name, authorization_type="NONE", opts=opts)  # expect: R5 x2
    aws.lambda_.Permission(
        f"ingest-{region}-url", action="lambda:InvokeFunctionUrl", function=fn.name, principal="*",
        function_url_auth_type="NONE", opts=opts,
    )
    topic = aws.sns.Topic(f"events-{region}", name=f"events-{region}-{env_suffix}", opts=opts)  # expect: R12 x2
    aws.cloudwatch.MetricAlarm(
        f"ingest-5xx-{region}",
        namespace="AWS/Lambda",
        metric_name="Url5xxCount",
        dimensions={"FunctionName": fn.name},
        statistic="Sum", period=60, evaluation_periods=1, threshold=5,
        comparison_operator="GreaterThanThreshold",
        alarm_actions=[topic.arn],
        opts=opts,
    )
    aws.route53.HealthCheck(  # expect: R13 x2 R25
        f"ingest-{region}",
        type="HTTPS",
        fqdn=url.function_url.apply(lambda u: u.split("/")[2]),
        port=443,
        resource_path="/health",
        failure_threshold=3,
        request_interval=30,
    )
aws.iam.RolePolicy(
    "ingest-kms",
    role=exec_role.id,
    policy=pulumi.Output.all(*(k.arn for k in keys)).apply(
        lambda arns: json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": list(arns)}]}
        )
    ),
)
aws.iam.RolePolicy(  # expect: R3
    "ingest-logs",
    role=exec_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": f"{keys[0].arn}"}],
        }
    ),
)
