"""Enterprise services: 惠企政策 library, eligibility rules as data, matching and push, 免申即享, 一业一证."""
