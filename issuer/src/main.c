/* Placeholder until the command-line program lands in this session. */
int main(void)
{
    return 0;
}
