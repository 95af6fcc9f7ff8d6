"""`python -m ndrguard.service.api`: the service with its local API (see host.py)."""

import sys

from ndrguard.service.api.host import main

sys.exit(main())
