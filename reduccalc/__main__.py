"""``python -m reduccalc`` runs the command line."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C before the command line has started
    print("interrupted; nothing written", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
