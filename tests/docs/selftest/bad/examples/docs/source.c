/* The file the excerpts of docs/excerpts.md quote. As a program, it fails. */
static int add(int a, int b)
{
    return a + b;
}

int main(void)
{
    return add(1, 1) == 3 ? 0 : 1;
}
