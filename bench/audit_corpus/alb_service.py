"""Container service behind load balancers in two regions, with a database per region.

Planted pitfalls are marked `# expect: RNN`; everything else is meant to be right.
"""

import pulumi
import pulumi_aws as aws
import pulumi_random as random

env = pulumi.Config().require("env")
SITES = [
    {"key": "primary", "region": "ap-southeast-2", "cidr": "10.10.0.0/16"},
    {"key": "standby", "region": "ap-southeast-1", "cidr": "10.20.0.0/16"},
]
deployer = aws.Provider(  # expect: R6
    "deployer-primary",
    region=SITES[0]["region"],
    access_key="AKIAIOSFODNN7EXAMPLE",
    secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
providers = {"primary": deployer, "standby": aws.Provider("standby", region=SITES[1]["region"])}
password = random.RandomPassword("db", length=32, special=False)


def site(spec: dict[str, str]):
    opts = pulumi.ResourceOptions(provider=providers[spec["key"]])
    vpc = aws.ec2.Vpc(f"{spec['key']}", cidr_block=spec["cidr"], opts=opts)
    subnets = [
        aws.ec2.Subnet(f"{spec['key']}-{n}", vpc_id=vpc.id, cidr_block=spec["cidr"].replace("0.0/16", f"{n}.0/24"), opts=opts)
        for n in (1, 2)
    ]
    lb = aws.lb.LoadBalancer(
        f"{spec['key']}-web",
        name=f"web-{spec['key']}-{env}",
        load_balancer_type="application",
        subnets=[s.id for s in subnets],
        opts=opts,
    )
    group = aws.lb.TargetGroup(
        f"{spec['key']}-web", name=f"web-{spec['key']}-{env}", port=8080, protocol="HTTP", vpc_id=vpc.id,
        health_check=aws.lb.TargetGroupHealthCheckArgs(path="/healthz"), opts=opts,
    )
    aws.lb.Listener(
        f"{spec['key']}-http",
        load_balancer_arn=lb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=group.arn)],
        opts=opts,
    )
    db = aws.rds.Instance(  # expect: R14 x2
        f"{spec['key']}-db",
        identifier=f"orders-{spec['key']}-{env}",
        engine="postgres",
        instance_class="db.t4g.small",
        allocated_storage=50,
        username="orders",
        password=password.result,
        skip_final_snapshot=True,
        opts=opts,
    )
    # the deployer's literal keys make it another identity than the default provider's, so
    # the global resources below on the default provider may land in another account (R10)
    web_check = aws.route53.HealthCheck(  # expect: R24 x2 R10 x2
        f"{spec['key']}-web",
        type="HTTPS",
        fqdn=lb.dns_name,
        port=443,
        resource_path="/healthz",
        failure_threshold=3,
        request_interval=30,
    )
    db_check = aws.route53.HealthCheck(  # expect: R24 x2 R10 x2
        f"{spec['key']}-db", type="TCP", fqdn=db.address, port=5432, failure_threshold=3, request_interval=30
    )
    return lb, web_check, db_check


topic = aws.sns.Topic("pager", opts=pulumi.ResourceOptions(provider=providers["primary"]))
us_east = aws.Provider("us-east-1", region="us-east-1")
checks = []
for spec in SITES:
    lb, web_check, db_check = site(spec)
    checks += [web_check, db_check]
for n, check in enumerate(checks):
    aws.cloudwatch.MetricAlarm(
        f"health-{n}",
        namespace="AWS/Route53",
        metric_name="HealthCheckStatus",
        dimensions={"HealthCheckId": check.id},
        statistic="Minimum", period=60, evaluation_periods=1, threshold=1,
        comparison_operator="LessThanThreshold",
        alarm_actions=[topic.arn],
        opts=pulumi.ResourceOptions(provider=us_east),
    )
aws.route53.Record(  # expect: R25 R10
    "www", zone_id="Z0123456789ABCDEFGHIJ", name="www.example.com", type="CNAME", ttl=60,
    records=["web-primary.example.com"],
)
pulumi.export("pager", topic.arn)
