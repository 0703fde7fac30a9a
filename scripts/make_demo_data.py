"""Rebuild the bundled demo subset of UCI Online Retail (CC BY 4.0) from ../shared/data.

Keeps every line of 1,000 randomly chosen customers and 300 guest invoices (seeded), original columns.
Usage: python scripts/make_demo_data.py [SOURCE] [TARGET]
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/retail/online_retail.parquet"
target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "src/shopsense/demo_data/online_retail_sample.parquet"

frame = pd.read_parquet(source)
rng = np.random.default_rng(20111209)
customers = rng.choice(frame["CustomerID"].dropna().unique(), size=1_000, replace=False)
guest_invoices = rng.choice(frame.loc[frame["CustomerID"].isna(), "InvoiceNo"].unique(), size=300, replace=False)
subset = frame[frame["CustomerID"].isin(customers) | frame["InvoiceNo"].isin(guest_invoices)]
subset.reset_index(drop=True).to_parquet(target, compression="zstd", index=False)
print(f"{len(subset):,} lines, {subset['CustomerID'].nunique():,} customers -> {target} ({target.stat().st_size:,} bytes)")
