import sys

from fogbank.cli import main

sys.exit(main())
