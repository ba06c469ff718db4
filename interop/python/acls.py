"""kafka-python's admin client and ACLs on kq broker.

    acls.py --bootstrap B create PRINCIPAL TOPIC
        allows PRINCIPAL to read TOPIC (literal, any host)
    acls.py --bootstrap B list PRINCIPAL
        prints PRINCIPAL's ACLs, one JSON object per line (sorted), in the
        form kq acls list -o json uses
"""

import json
import sys

from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, KafkaAdminClient,
                         ResourcePattern, ResourcePatternFilter, ResourceType, ACLResourcePatternType)


def main(argv):
    if len(argv) < 4 or argv[0] != "--bootstrap":
        sys.exit(__doc__)
    admin = KafkaAdminClient(bootstrap_servers=argv[1].split(","), client_id="interop-python-acls",
                             request_timeout_ms=10000)
    cmd, principal = argv[2], argv[3]
    if cmd == "create":
        acl = ACL(principal=principal, host="*", operation=ACLOperation.READ,
                  permission_type=ACLPermissionType.ALLOW,
                  resource_pattern=ResourcePattern(ResourceType.TOPIC, argv[4], ACLResourcePatternType.LITERAL))
        res = admin.create_acls([acl])
        if res["failed"]:
            sys.exit("create_acls failed: %r" % (res["failed"],))
        return
    flt = ACLFilter(principal=principal, host=None, operation=ACLOperation.ANY,
                    permission_type=ACLPermissionType.ANY,
                    resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY))
    acls, err = admin.describe_acls(flt)
    if err is not None and getattr(err, "errno", 0) != 0:
        sys.exit("describe_acls failed: %r" % (err,))
    out = []
    for a in acls:
        rp = a.resource_pattern
        out.append(json.dumps({
            "principal": a.principal, "host": a.host,
            "resource_type": rp.resource_type.name.lower(), "resource_name": rp.resource_name,
            "pattern": rp.pattern_type.name.lower(), "operation": a.operation.name.lower(),
            "permission": a.permission_type.name.lower(),
        }, sort_keys=True))
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
